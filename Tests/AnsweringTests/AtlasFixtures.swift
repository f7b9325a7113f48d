import AtlasCore
import Foundation

/// Hand-written references as retrieval would return them: a small breast and lymph-node atlas with
/// English and Chinese passages, in fused-rank order.
enum AtlasFixtures {
    static func reference(
        _ rank: Int, entry: String, ordinal: Int, title: String, heading: String, text: String,
        image: Float? = nil, fused: Float
    ) -> Reference {
        Reference(
            rank: rank, entry: entry, passage: "\(entry)#\(ordinal)", title: title, heading: heading, text: text,
            source: "project-authored (AtlasQA teaching atlas)",
            image: image == nil
                ? nil : Reference.ImageMatch(file: "\(entry)-a.png", tile: TileRect(x: 0, y: 0, width: 224, height: 224)),
            scores: Reference.Scores(image: image, text: 0.5, lexical: 3.2, fused: fused))
    }

    static let dcisFeatures = """
        Ductal carcinoma in situ (DCIS) is a clonal proliferation of malignant epithelial cells confined to \
        the ducts and lobules, with the myoepithelial layer and basement membrane intact. In the solid and \
        cribriform patterns the duct is expanded by a monotonous population of evenly spaced cells with round \
        nuclei, e.g. rigid "punched-out" cribriform spaces. Comedo-type DCIS shows high-grade nuclei \
        (often > 2.5 times the size of a red blood cell) and central necrosis with calcification. \
        Mitoses are frequent in high-grade lesions.
        """

    static let dcisDifferential = """
        The main differential is usual ductal hyperplasia vs. DCIS. Usual ductal hyperplasia has a \
        heterogeneous, streaming population with irregular, slit-like peripheral spaces, whereas DCIS has \
        rigid, round spaces and a monotonous cell population. Immunostains help: UDH shows a mosaic pattern \
        of CK5/6, while low-grade DCIS is negative for CK5/6 and strongly positive for ER.
        """

    static let dcisChinese = """
        导管原位癌是局限于导管-小叶系统内的肿瘤性上皮增生，肌上皮层和基底膜完整。低级别导管原位癌细胞单一、\
        分布均匀，核圆形，形成僵硬的筛状腔隙；高级别者核明显多形，常见粉刺样坏死和钙化。\
        与普通型导管增生鉴别时，后者细胞排列呈流水状，腔隙不规则呈裂隙状。
        """

    static let idcFeatures = """
        Invasive ductal carcinoma (no special type) consists of irregular nests, cords and glands of \
        atypical cells infiltrating a desmoplastic stroma. There is no myoepithelial layer around the \
        invasive nests, which distinguishes invasion from DCIS. Nuclear pleomorphism and mitotic count are \
        graded together with tubule formation in the Nottingham system.
        """

    static let udhFeatures = """
        Usual ductal hyperplasia fills and distends the duct with a mixed population of luminal and \
        myoepithelial-type cells. The nuclei overlap and stream in parallel, and peripheral spaces are \
        irregular and slit-like. Usual ductal hyperplasia is not a precursor lesion in the way DCIS is.
        """

    static let lymphNodeChinese = """
        淋巴结转移癌表现为淋巴结被膜下窦内或实质内出现成巢的异型上皮细胞，与周围淋巴细胞形成鲜明对比。\
        免疫组化角蛋白阳性有助于识别微小转移灶。
        """

    static let dcisTitle = "Ductal carcinoma in situ (breast)"
    static let udhTitle = "Usual ductal hyperplasia (breast)"

    /// References for a question about DCIS, text channel only.
    static var dcisQuestionReferences: [Reference] {
        [
            reference(1, entry: "breast-dcis", ordinal: 1, title: dcisTitle,
                      heading: "Microscopic features", text: dcisFeatures, fused: 0.032),
            reference(2, entry: "breast-dcis", ordinal: 2, title: dcisTitle,
                      heading: "Differential diagnosis", text: dcisDifferential, fused: 0.030),
            reference(3, entry: "breast-idc", ordinal: 1, title: "Invasive ductal carcinoma (breast)",
                      heading: "Microscopic features", text: idcFeatures, fused: 0.021),
            reference(4, entry: "breast-dcis", ordinal: 4, title: dcisTitle,
                      heading: "镜下特点", text: dcisChinese, fused: 0.018),
        ]
    }

    /// References for an image query: the image channel ranked UDH's images above DCIS's.
    static var imageQueryReferences: [Reference] {
        [
            reference(1, entry: "breast-dcis", ordinal: 1, title: dcisTitle,
                      heading: "Microscopic features", text: dcisFeatures, image: 0.71, fused: 0.033),
            reference(2, entry: "breast-udh", ordinal: 1, title: udhTitle,
                      heading: "Microscopic features", text: udhFeatures, image: 0.88, fused: 0.031),
            reference(3, entry: "breast-idc", ordinal: 1, title: "Invasive ductal carcinoma (breast)",
                      heading: "Microscopic features", text: idcFeatures, image: 0.64, fused: 0.020),
            reference(4, entry: "breast-dcis", ordinal: 2, title: dcisTitle,
                      heading: "Differential diagnosis", text: dcisDifferential, image: 0.69, fused: 0.019),
            reference(5, entry: "lymph-node-metastasis", ordinal: 4, title: "Metastatic carcinoma in a lymph node",
                      heading: "镜下特点", text: lymphNodeChinese, image: 0.40, fused: 0.010),
        ]
    }

    /// A few bytes standing in for an uploaded PNG: the extractive decoder only needs to know one was given.
    static let pngSignature = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
}

/// Checks DESIGN.md's invariant on an answer: every `[n]` has a citation, every citation is a reference.
struct CitationInvariant {
    /// The numbers of every `[n]` written in the text, in order.
    static func citedNumbers(in text: String) -> [Int] {
        let chars = Array(text)
        var numbers: [Int] = []
        var i = 0
        while i < chars.count {
            if chars[i] == "[" {
                var j = i + 1
                var digits = ""
                while j < chars.count, chars[j].isASCII, chars[j].isNumber {
                    digits.append(chars[j])
                    j += 1
                }
                if !digits.isEmpty, j < chars.count, chars[j] == "]", let n = Int(digits) { numbers.append(n) }
            }
            i += 1
        }
        return numbers
    }

    /// Problems found; empty when the answer holds.
    static func violations(of answer: Answer) -> [String] {
        var problems: [String] = []
        let cited = Set(citedNumbers(in: answer.answer))
        let listed = Set(answer.citations.map(\.n))
        for n in cited.subtracting(listed) { problems.append("[\(n)] in the text has no citation") }
        for n in listed.subtracting(cited) { problems.append("citation \(n) is not used in the text") }
        for citation in answer.citations {
            guard (1...answer.references.count).contains(citation.n) else {
                problems.append("citation \(citation.n) is not one of \(answer.references.count) references")
                continue
            }
            let reference = answer.references[citation.n - 1]
            if reference.passage != citation.passage || reference.entry != citation.entry {
                problems.append("citation \(citation.n) names \(citation.passage), reference is \(reference.passage)")
            }
        }
        // Only plain [n] groups may remain: no "[1, 2]", "[1-3]" or "【1】" a reader's regex would miss.
        for form in ["【", "［", ", ", "-", "–"] where containsBracketGroup(answer.answer, with: form) {
            problems.append("a citation group in another form (\(form)) survived")
        }
        return problems
    }

    static func containsBracketGroup(_ text: String, with form: String) -> Bool {
        if form == "【" || form == "［" { return text.contains(form) }
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "[") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "]") else { break }
            let inner = after[..<close]
            if inner.first?.isNumber == true, inner.contains(form) { return true }
            rest = after[after.index(after: close)...]
        }
        return false
    }
}
