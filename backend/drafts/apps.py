from django.apps import AppConfig


class DraftsConfig(AppConfig):
    """Save and resume (草稿): half-filled applications kept on the server for 30 days."""

    name = "backend.drafts"
    label = "drafts"
    verbose_name = "草稿 Drafts"
