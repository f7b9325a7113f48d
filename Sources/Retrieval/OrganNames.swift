/// Organs other than the large bowel, as a question names them. The tissue concepts are colorectal and do not
/// apply to them; and an organ the atlas never mentions puts the question outside the atlas.
package enum OrganNames {
    /// The words of `question` that name another organ than the bowel, as they occur in it: whole English words
    /// found by their start (a substring would find "uter" in "outer", "liver" in "deliver"), and Chinese terms.
    package static func otherOrgans(in question: String) -> [String] {
        let text = question.lowercased()
        var found = text.split { !$0.isASCII || !$0.isLetter }.map(String.init)
            .filter { word in englishStarts.contains { word.hasPrefix($0) } }
        if text.contains("lymph node") { found.append("lymph node") }
        found += chinese.filter { text.contains($0) }
        return found
    }

    static let englishStarts = [
        "breast", "mammary", "ductal", "lobular", "kidney", "renal", "glomerul", "nephr", "lung", "pulmonary", "bronch",
        "liver", "hepat", "skin", "cutaneous", "melanocyt", "prostat", "thyroid", "brain", "glial", "bone",
        "cervix", "cervical", "uterus", "uterine", "endometri", "ovar", "testis", "testic", "bladder", "urothel",
        "pancrea", "stomach", "gastric", "oesophag", "esophag", "salivary",
    ]

    static let chinese = [
        "乳腺", "乳房", "导管", "小叶", "肾", "肺", "支气管", "肝", "皮肤", "前列腺", "甲状腺", "淋巴结", "脑", "骨",
        "宫颈", "子宫", "卵巢", "睾丸", "膀胱", "胰", "胃", "食管", "唾液腺",
    ]
}
