"""Order fulfilment: one set of connectors serving a Camunda 7 diagram and its Camunda 8
migration. See README.md in this directory."""
