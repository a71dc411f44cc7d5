FROM python:3.12-slim
# disagree FS0903: exec form, but the shell is PID 1 and does not forward SIGTERM
CMD ["sh", "-c", "python manage.py migrate && gunicorn app.wsgi"]
