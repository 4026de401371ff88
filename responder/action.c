#include "responder/action.h"

#include <stdlib.h>
#include <string.h>

extern const l2w_action l2w_action_delete_l2_outputs;
extern const l2w_action l2w_action_pause_bridge;
extern const l2w_action l2w_action_channel_dispute;
extern const l2w_action l2w_action_da_challenge;

static const l2w_action *const actions[] = {
    &l2w_action_delete_l2_outputs,
    &l2w_action_pause_bridge,
    &l2w_action_channel_dispute,
    &l2w_action_da_challenge,
};

void l2w_action_plan_clear(l2w_action_plan *p)
{
    l2w_bytes_free(&p->calldata);
    json_decref(p->params);
    p->params = NULL;
}

l2w_status l2w_action_calldata(l2w_bytes *out, const char *signature, const l2w_abi_value *args, l2w_err *err)
{
    uint8_t *data;
    size_t len;
    l2w_status st = l2w_abi_encode_call(&data, &len, signature, args, err);
    if (st != L2W_OK)
        return st;
    l2w_bytes_append(out, data, len);
    free(data);
    return l2w_bytes_status(out);
}

const l2w_action *l2w_action_for(const l2w_finding *f, const l2w_config *cfg)
{
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (actions[i]->answers(f, cfg))
            return actions[i];
    return NULL;
}

const l2w_action *l2w_action_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (strcmp(actions[i]->name, name) == 0)
            return actions[i];
    return NULL;
}
