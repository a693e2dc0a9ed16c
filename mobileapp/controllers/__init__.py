"""The controllers the screens call, one module per feature. Plain Python (no Flet import): each holds what its
screen shows and calls :class:`mobileapp.api.ApiClient`; none holds business rules (the server decides, and its
messages and rule traces are shown as they come). Tests drive them against a live backend (tests/mobileapp).
"""
