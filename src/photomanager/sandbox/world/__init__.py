"""The fake site's state: users, deviations, comments; the seeded demo world, clock and ledger."""
