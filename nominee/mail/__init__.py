"""Mail: settings, the SMTP and development transports, messages from templates, tokens.

No Flask here: background jobs build and send messages with plain values
(``MailSettings.from_config(app.config)`` or any mapping of the same keys).
"""
