"""`make bench`: load tests of the running stack; each issue adds its section."""
