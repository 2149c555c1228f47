/* schema.h — internal to the SQLite backend: the list of schema migrations (schema.c). */
#ifndef ENCORE_SCHEMA_H
#define ENCORE_SCHEMA_H
extern const char *const enc__schema_migrations[];
extern const int enc__schema_count;
#endif
