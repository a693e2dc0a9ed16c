"""``python -m mobileapp``: serve the app (web mode when FLET_FORCE_WEB_SERVER=1 or without a display).

Environment: ``YIWANG_API_URL`` (the backend, default http://127.0.0.1:8000), ``FLET_SERVER_IP``,
``FLET_SERVER_PORT``, ``FLET_FORCE_WEB_SERVER``, ``FLET_WEB_NO_CDN``.
"""

from mobileapp.app import run

if __name__ == "__main__":
    run()
