"""A fast path where requests do not interact: a scenario's stops drawn as numpy arrays.

    paths         the one path a stop takes in each service the engine draws
    eligibility   whether a scenario's stops can be drawn so, with the reasons if not
    choice        `--engine auto|events|vector`: which engine runs, and why
    fleet         the fleet's resources registered at once, as the event engine does
    requests      when each stop is sent and to whom
    follow        each stop's trip, its resource's stop, its caller's polls
    frames        those as the recorder's tables
    engine        one replication's tables, derived and cast as the event engine's

The tables are statistically equal to the event engine's (tests/statistical compare them
with two-sample tests), not bit-identical; with every latency fixed they are equal to the
value (tests/unit/vector).
"""
