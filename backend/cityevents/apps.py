from django.apps import AppConfig


class CityeventsConfig(AppConfig):
    name = "backend.cityevents"
    label = "cityevents"
    verbose_name = "城市事件 City events"
