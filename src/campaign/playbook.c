/* playbook.c — lookup over the embedded playbooks (see playbook.h; the table itself is the
 * generated playbooks.c). */
#include "campaign/playbook.h"
#include <string.h>

const enc_playbook *enc_playbook_find(const char *name)
{
    for (int i = 0; i < enc_playbooks_count; i++)
        if (strcmp(enc_playbooks[i].name, name) == 0) return &enc_playbooks[i];
    return NULL;
}
