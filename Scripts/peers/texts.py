#!/usr/bin/env python3
"""Deterministic benchmark texts: 40 short questions (<= 32 tokens) and 128 atlas-like passages
(roughly 60-130 tokens each). Writes {"queries": [...], "passages": [...]} to the path given."""
import json
import random
import sys

rng = random.Random(7)
tissues = ["squamous epithelium", "colonic mucosa", "lymph node", "breast duct", "renal glomerulus",
           "thyroid follicle", "liver lobule", "skin adnexa", "gastric gland", "bronchial wall"]
findings = ["crowded hyperchromatic nuclei", "keratin pearls", "intercellular bridges", "loss of polarity",
            "increased mitoses", "atypical mitotic figures", "prominent nucleoli", "nuclear grooves",
            "psammoma bodies", "non-caseating granulomas", "signet ring cells", "tumour necrosis",
            "desmoplastic stroma", "perineural invasion", "lymphovascular invasion", "foamy macrophages"]
diagnoses = ["squamous cell carcinoma", "adenocarcinoma", "papillary thyroid carcinoma", "sarcoidosis",
             "tubular adenoma", "invasive ductal carcinoma", "hepatocellular carcinoma", "basal cell carcinoma"]
questions = ["What does {f} suggest in {t}?", "Which diagnosis shows {f}?", "How is {d} recognised?",
             "Is {f} typical of {d}?", "{d}的镜下特点是什么？", "What are the features of {d} in {t}?"]


def passage():
    parts = [f"In the {rng.choice(tissues)}, the section shows {rng.choice(findings)} and {rng.choice(findings)}."]
    for _ in range(rng.randint(3, 6)):
        parts.append(rng.choice([
            f"These features favour {rng.choice(diagnoses)} over {rng.choice(diagnoses)}.",
            f"Look for {rng.choice(findings)}, which distinguishes it from reactive changes.",
            f"The background {rng.choice(tissues)} is preserved, with mild chronic inflammation.",
            f"Immunohistochemistry and clinical correlation are recommended before a diagnosis of {rng.choice(diagnoses)}.",
        ]))
    return " ".join(parts)


texts = {
    "queries": [rng.choice(questions).format(f=rng.choice(findings), t=rng.choice(tissues), d=rng.choice(diagnoses))
                for _ in range(40)],
    "passages": [passage() for _ in range(128)],
}
json.dump(texts, open(sys.argv[1], "w"), ensure_ascii=False, indent=1)
