"""Small pieces shared by every feature: time, access checks, pagination."""
