"""Web plumbing shared by every page and endpoint: tenant resolution, request parameters at
the boundary, body limits, response headers, error pages, languages, the DSFR frame and
French formats, health, metrics, access logs without secrets, work after the answer, and serving."""
