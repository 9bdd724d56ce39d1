"""Pages a person sees: login and consent (signup and recovery come with the journeys)."""
