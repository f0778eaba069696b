"""`make bench`: the poller and outbox at thousands of orders, against the old design."""
