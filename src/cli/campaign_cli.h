/* campaign_cli.h — what the campaign commands share (cmd_campaign.c, cmd_tick.c): the text
 * line of a campaign's run. Internal to src/cli. */
#ifndef ENCORE_CAMPAIGN_CLI_H
#define ENCORE_CAMPAIGN_CLI_H
#include "campaign/run.h"
#include "cli/cli.h"

/* Prints what one start, advance or tick of a campaign did (or its error), on stdout. */
void enc__run_result_text(const enc_run_result *r);
#endif
