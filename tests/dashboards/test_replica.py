"""With DATABASE_REPLICA_URL set, the dashboards' figures are read from the replica and
everything else (access checks, sessions, every write) from the primary; without it,
everything from the primary.

A page served end to end against a second connection is not tested here: Django's test
cases wrap only the primary's connection in the test's transaction, so a replica
connection would not see the test's rows (a deployment check for a real replica belongs
in the load test)."""

import pytest

from dashboards.models import SessionFact
from dashboards.replica import REPLICA, ReplicaRouter, replica_reads, streamed_from_replica

# The router only asks whether a replica is configured; no connection to it is made.
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


def test_without_a_replica_everything_reads_the_primary():
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(SessionFact) is None
    assert router.db_for_write(SessionFact) is None


def test_with_a_replica_only_reads_inside_the_context_go_there(settings):
    settings.DATABASES = {**settings.DATABASES, REPLICA: {}}
    router = ReplicaRouter()
    assert router.db_for_read(SessionFact) is None
    with replica_reads():
        assert router.db_for_read(SessionFact) == REPLICA
        assert router.db_for_write(SessionFact) is None
    assert router.db_for_read(SessionFact) is None
    assert router.allow_migrate(REPLICA, "dashboards") is False


def test_a_streamed_body_is_read_from_the_replica_chunk_by_chunk(settings):
    settings.DATABASES = {**settings.DATABASES, REPLICA: {}}
    router = ReplicaRouter()
    seen = list(streamed_from_replica(router.db_for_read(SessionFact) for _ in range(3)))
    assert seen == [REPLICA] * 3
    assert router.db_for_read(SessionFact) is None


def test_querysets_made_inside_the_context_use_the_replica(settings):
    # Django's own routing of a queryset, through the router in settings.DATABASE_ROUTERS.
    settings.DATABASES = {**settings.DATABASES, REPLICA: {}}
    assert SessionFact.objects.all().db == "default"
    with replica_reads():
        assert SessionFact.objects.all().db == REPLICA
        assert SessionFact.objects.filter(pk=1).db == REPLICA
