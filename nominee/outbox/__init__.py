"""The transactional outbox: what must leave the process, written with the change it
announces and handed on after commit (see ``services``)."""
