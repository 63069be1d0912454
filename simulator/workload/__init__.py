"""Who calls the services and when: clients with botocore's retries, and arrivals."""
