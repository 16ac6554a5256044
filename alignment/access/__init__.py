"""Who may come in and what each role may do: accounts, log-in sessions, permissions,
people."""
