#pragma once
// ldp's Avro: schemas, generic values, the binary encoding and Object Container Files.
// See schema.h for why ldp carries its own Avro code instead of using avro-c.

#include "ldp/avro/encoding.h"
#include "ldp/avro/file.h"
#include "ldp/avro/schema.h"
#include "ldp/avro/value.h"
