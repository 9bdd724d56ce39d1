"""The demo: a relying party served beside the provider, and what ``idp init --demo`` installs."""
