from django.core.files.storage import Storage, storages


def private_storage() -> Storage:
    """Storage for files that only access-checked views may serve (never a public URL)."""
    return storages["private"]
