"""The programme's own settings (name, time zone) and its first-run set-up."""
