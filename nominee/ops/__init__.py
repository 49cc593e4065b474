"""Operations: backups and restores of the embedded SQLite database."""
