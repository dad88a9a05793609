"""Box services: each public function that writes owns one transaction."""
