"""Developer tools: corpus trainers and the ePassport simulator (test-only, never packaged)."""
