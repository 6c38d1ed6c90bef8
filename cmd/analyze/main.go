package main

import (
	"os"
)

func main() {
	removeTempsOnSignal()
	os.Exit(exitCode(run(os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}
