from django.apps import AppConfig


class DraftsConfig(AppConfig):
    """Save and resume (草稿): half-filled applications kept on the server for 30 days."""

    name = "backend.drafts"
    label = "drafts"
    verbose_name = "草稿 Drafts"

    def ready(self) -> None:
        from functools import partial

        from backend.cases.submission import Source, register_source

        from .services import claimed_draft, submit_with_draft

        register_source(Source("draft", claim=claimed_draft, submit=lambda pk: partial(submit_with_draft, pk)))
