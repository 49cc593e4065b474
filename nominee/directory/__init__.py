"""The public face of the programme: the awardee directory, its alumni, and what the
logged-out home page shows (the latest awardees and the programme's figures)."""
