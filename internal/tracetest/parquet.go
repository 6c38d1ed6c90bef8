//go:build parquet

package tracetest

// With -tags parquet every test that uses tracetest can write and read
// Parquet (see NeedParquet).
import _ "github.com/forkcost/forkcost/trace/parquetio"
