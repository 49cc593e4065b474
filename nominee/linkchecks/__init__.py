"""Evidence link checks: the links of contributions that are evidence of live nominations
(and any contribution whose owner asks) are fetched through the outbound guard, daily;
a link that answers 404 or 410, or fails twice at least a day apart, is broken."""
