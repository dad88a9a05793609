"""Device identity and fleet provisioning (broker config today; CA, claim codes later)."""
