// CustomResourceDefinition (cluster mode): accepted and established at once, with the names it asked
// for, as the API server reports once it serves the kinds (`kubectl wait --for condition=established`).

import type { Condition } from "../types.ts";
import type { Reconciler } from "./world.ts";
import type { CustomResourceDefinition } from "../cluster-kinds.ts";

export const reconcileCrd: Reconciler = (obj, world) => {
  const crd = obj as CustomResourceDefinition;
  const previous = (crd.status ?? {}) as { conditions?: Condition[] };
  const at = (type: string) => previous.conditions?.find((c) => c.type === type)?.lastTransitionTime ?? world.now;
  const storage = crd.spec?.versions?.find((v) => v.storage)?.name ?? crd.spec?.versions?.[0]?.name;
  return {
    status: {
      acceptedNames: crd.spec?.names,
      storedVersions: storage ? [storage] : [],
      conditions: [
        { type: "NamesAccepted", status: "True", reason: "NoConflicts", message: "no conflicts found", lastTransitionTime: at("NamesAccepted") },
        { type: "Established", status: "True", reason: "InitialNamesAccepted", message: "the initial names have been accepted", lastTransitionTime: at("Established") },
      ],
    },
  };
};
