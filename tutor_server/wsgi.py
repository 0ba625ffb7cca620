"""WSGI entry point for production servers: gunicorn 'tutor_server.wsgi:app'."""

from tutor_server.app import create_app

app = create_app()
