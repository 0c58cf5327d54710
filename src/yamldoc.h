/*
 * yamldoc - a YAML file loaded as a libyaml document: the one way the
 * pattern files and codes.yaml are read, with the same diagnostics
 * (FILE:LINE:COLUMN for invalid YAML, "empty WHAT" for no document).
 */
#ifndef SLA_YAMLDOC_H
#define SLA_YAMLDOC_H

#include <stdbool.h>
#include <yaml.h>

/*
 * Load path into *doc and set *root. On false the problem was reported
 * and nothing is left to free; on true the caller deletes *doc.
 */
bool yamldoc_load(const char *path, const char *what, yaml_document_t *doc,
    yaml_node_t **root);

#endif
