import AtlasCore

/// Everyday English and Chinese words mapped to the technical English that atlas passages are written in.
///
/// Questions paraphrase ("slimy secretion", "dead cell remains", "滑腻的胶冻样分泌物") what passages name
/// technically ("mucin", "necrotic debris"). The small encoders shipped (e5-small, MiniLM) bridge only part of
/// that gap, and keyword search none of it, so the search text gets the technical terms a question implies
/// appended: the dense channel sees the atlas's own vocabulary and the lexical channel can match it.
/// The question alone is still what support is graded on.
public enum PathologyThesaurus {
    /// Cues (English: word prefixes, lower case; Chinese: substrings) → technical English terms.
    static let entries: [(cues: [String], terms: String)] = [
        // Tissues and what lies on the slide.
        (["fat", "lipid", "greasy", "energy", "脂肪", "油脂", "能量"], "adipose tissue adipocytes"),
        (["bubble", "vacuol", "hollow", "clear holes", "clear spaces", "泡泡", "气泡", "空泡", "空空", "空洞", "中空"], "empty vacuoles"),
        (["blood", "bleed", "bruise", "出血", "血液", "红细胞", "血细胞"], "haemorrhage erythrocytes"),
        (["immune", "white blood cell", "white cell", "defence cell", "defense cell", "infection", "免疫", "淋巴", "白细胞", "炎症细胞", "炎细胞", "感染"],
         "lymphocytes lymphoid inflammatory cells"),
        (["dead", "death", "dying", "died", "decay", "rotten", "destroyed", "remnant", "remains", "leftover", "rubbish",
          "garbage", "broken-down", "killed", "坏死", "死亡", "死细胞", "残骸", "残渣", "碎屑", "碎片", "核碎", "破坏"],
         "necrosis necrotic debris karyorrhexis"),
        (["slime", "slimy", "jelly", "gel-like", "gel ", "gelatinous", "gooey", "goo ", "slippery", "secretion", "mucous",
          "黏液", "粘液", "胶冻", "胶样", "黏糊", "粘稠", "黏稠", "滑腻", "分泌物"], "mucus mucin"),
        (["muscle", "muscular", "contract", "squeez", "peristal", "肌肉", "平滑肌", "肌层", "收缩", "蠕动"],
         "smooth muscle muscularis propria"),
        (["scar", "fibrous", "fibrosis", "connective", "gristle", "瘢痕", "疤痕", "纤维", "结缔组织", "间质"],
         "stroma desmoplastic fibrosis collagen fibroblasts"),
        (["empty", "blank", "nothing", "no tissue", "no specimen", "bare glass", "空白", "背景", "没有组织", "无组织", "什么都没有", "玻片"],
         "background no tissue empty glass"),
        (["lining", "inner surface", "inner wall", "内壁", "内膜", "黏膜", "粘膜", "内衬"], "mucosa epithelium"),
        (["healthy", "normal", "benign", "harmless", "健康", "正常", "良性"], "normal benign"),
        (["crypt", "隐窝"], "crypts"),
        (["gland", "腺体"], "glands"),
        (["skin of", "covering cell", "上皮"], "epithelium epithelial"),
        // Disease.
        (["cancer", "malignan", "tumor", "tumour", "carcinoma", "恶性", "肿瘤", "癌"], "carcinoma malignant tumour"),
        // "+" joins cues that must all occur: a cancer of glands is an adenocarcinoma.
        (["腺癌", "癌+腺", "cancer+gland", "malignan+gland", "carcinoma+gland", "tumo+gland"], "adenocarcinoma"),
        (["spread", "invad", "浸润", "侵袭"], "invasive invasion"),
        (["metasta", "转移"], "metastatic"),
        (["in situ", "原位"], "in situ"),
        (["overgrowth", "增生"], "hyperplasia"),
        (["atypi", "非典型", "异型"], "atypical atypia"),
        (["polyp", "息肉"], "polyp"),
        (["adenoma", "腺瘤"], "adenoma"),
        (["serrat", "saw-tooth", "sawtooth", "锯齿"], "serrated"),
        (["signet", "印戒"], "signet ring cells"),
        (["calcif", "钙化"], "calcification"),
        (["dividing cell", "cell division", "核分裂", "有丝分裂"], "mitoses mitotic figures"),
        (["nucleus", "nuclei", "细胞核", "核大", "核深染"], "nuclei nuclear"),
        // Organs.
        (["large intestine", "large bowel", "bowel", "gut", "intestin", "colon", "rectum", "rectal", "结肠", "直肠", "大肠", "肠道", "肠壁"],
         "colon colonic colorectal bowel"),
        (["breast", "乳腺", "乳房"], "breast"),
        (["milk duct", "duct", "导管"], "duct ductal"),
        (["lobul", "小叶"], "lobule lobular"),
        (["lymph node", "淋巴结"], "lymph node"),
    ]

    /// The technical terms `question` implies, space-separated (nil when none): each entry's terms once,
    /// in table order.
    public static func expansion(of question: String) -> String? {
        // Words padded with spaces so an English cue matches at the start of a word ("bleed" in "bleeding").
        let words = " " + question.lowercased().map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : " " } + " "
        let text = String(words)
        var terms: [String] = []
        func occurs(_ cue: Substring) -> Bool {
            cue.unicodeScalars.first.map(\.isCJKIdeograph) == true ? question.contains(cue) : text.contains(" " + cue)
        }
        for entry in entries where entry.cues.contains(where: { $0.split(separator: "+").allSatisfy(occurs) }) {
            terms.append(entry.terms)
        }
        return terms.isEmpty ? nil : terms.joined(separator: " ")
    }

    /// The question with the terms it implies on a line of their own, or the question unchanged.
    public static func expanded(_ question: String) -> String {
        expansion(of: question).map { question + "\n" + $0 } ?? question
    }
}
