from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    """What cases and city events share: the working-day clock and the locked-transition core. No models: each
    app keeps its own, the core works on small protocols."""

    name = "backend.workflow"
    label = "workflow"
    verbose_name = "流程 Workflow"
