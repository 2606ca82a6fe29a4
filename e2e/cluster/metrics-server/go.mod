// Pins metrics-server, which serves the test cluster's metrics.k8s.io API from kwok's resource metrics.
module dev.outpost/e2e/cluster/metrics-server

go 1.26.0

require sigs.k8s.io/metrics-server v0.8.0 // indirect
