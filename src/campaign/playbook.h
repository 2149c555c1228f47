/* playbook.h — the retention plays built in as ready campaign files (src/campaign/playbooks/
 * *.json, embedded by scripts/embed-playbooks into the generated playbooks.c): a merchant
 * prints one with `encore playbook show NAME`, adapts it and plans or starts it, or installs
 * it into the store as a draft. */
#ifndef ENCORE_CAMPAIGN_PLAYBOOK_H
#define ENCORE_CAMPAIGN_PLAYBOOK_H

typedef struct enc_playbook {
    const char *name; /* the file's name without .json */
    const char *text; /* the campaign file (JSON) */
} enc_playbook;

extern const enc_playbook enc_playbooks[];
extern const int enc_playbooks_count;

/* The playbook named name, or NULL. */
const enc_playbook *enc_playbook_find(const char *name);
#endif
