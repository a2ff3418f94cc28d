// The test servers' shared guard: each wrapper module (blue, green, kwok) uses it through a replace.
module switchyard.local/tools/testservers/orphan

go 1.25.0
