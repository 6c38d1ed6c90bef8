//go:build parquet

package main

// Parquet support links half of the program's packages (arrow-go's
// parquet, compute and flight, and through flight gRPC and protobuf), so
// it is opt-in: go build -tags parquet ./cmd/analyze links it. A build
// without it reads and writes .arrow, and says how to get Parquet
// (arrowio.NoParquet) when asked for a .parquet file or a dataset.
import _ "github.com/forkcost/forkcost/trace/parquetio" // read and write .parquet
