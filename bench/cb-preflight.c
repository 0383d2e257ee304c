/* cb-preflight: thin main over the set-up checks (see preflight_prog.c). */
#include "preflight.h"

int main(int argc, char **argv)
{
    return cb_preflight_main(argc, argv);
}
