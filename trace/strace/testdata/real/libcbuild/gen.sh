#!/bin/sh
# Generates N C sources with a few functions each, and a header.
n=${1:-100}
mkdir -p src include
i=0
while [ $i -lt $n ]; do
  cat > src/f$i.c <<EOC
#include "cfg.h"
#include <string.h>
#include <stdlib.h>
int f${i}_a(int x) { return x * $i + CFG_A; }
long f${i}_b(const char *s) { return (long)strlen(s) + $i; }
void *f${i}_c(size_t n) { return calloc(n, $i + 1); }
EOC
  i=$((i+1))
done
echo '#define CFG_A 3' > include/cfg.h
