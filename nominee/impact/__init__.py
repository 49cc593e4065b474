"""The impact score: a transparent figure for a member's community work over a window."""
