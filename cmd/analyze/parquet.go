//go:build !noparquet

package main

// Parquet support links half of the program's packages (arrow-go's
// parquet, compute and flight, and through flight gRPC and protobuf):
// building with -tags noparquet leaves it out, for a first 'go run' in
// about half the time. Such a build reads and writes .arrow only, and says
// so when given a Parquet file.
import _ "github.com/forkcost/forkcost/trace/parquetio" // read and write .parquet
