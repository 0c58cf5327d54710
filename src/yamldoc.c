/*
 * yamldoc - see yamldoc.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "yamldoc.h"

bool
yamldoc_load(const char *path, const char *what, yaml_document_t *doc,
    yaml_node_t **root)
{
	yaml_parser_t parser;
	FILE *fp;

	fp = fopen(path, "rb");
	if (fp == NULL) {
		diag_error("cannot open '%s': %s", path, strerror(errno));
		return false;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, doc)) {
		diag_at(DIAG_ERROR, path, parser.problem_mark.line + 1,
		    parser.problem_mark.column + 1, "invalid YAML: %s%s%s",
		    parser.problem ? parser.problem : "syntax error",
		    parser.context ? " " : "",
		    parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		fclose(fp);
		return false;
	}
	yaml_parser_delete(&parser);
	fclose(fp);
	*root = yaml_document_get_root_node(doc);
	if (*root == NULL) {
		diag_at(DIAG_ERROR, path, 0, 0, "empty %s", what);
		yaml_document_delete(doc);
		return false;
	}
	return true;
}
