"""The local development issuer: the realm's token contract on the loopback interface, for `rosec run`."""
