/// One kind of tissue the renderer can draw; `rawValue` is the bundled atlas's entry id.
public enum Morphology: String, CaseIterable, Sendable, Codable {
    case breastNormal = "breast-normal"
    case breastUDH = "breast-udh"
    case breastADH = "breast-adh"
    case breastDCIS = "breast-dcis"
    case breastIDC = "breast-idc"
    case breastILC = "breast-ilc"
    case breastFibroadenoma = "breast-fibroadenoma"
    case breastLCIS = "breast-lcis"
    case colonNormal = "colon-normal"
    case colonHyperplasticPolyp = "colon-hyperplastic-polyp"
    case colonTubularAdenoma = "colon-tubular-adenoma"
    case colonAdenocarcinoma = "colon-adenocarcinoma"
    case colonMucinousAdenocarcinoma = "colon-mucinous-adenocarcinoma"
    case colonSessileSerratedLesion = "colon-sessile-serrated-lesion"
    case lymphNodeReactive = "lymph-node-reactive"
    case lymphNodeMetastaticCarcinoma = "lymph-node-metastatic-carcinoma"
    case adipose = "tissue-adipose"
    case smoothMuscle = "tissue-smooth-muscle"
    case fibrousStroma = "tissue-fibrous-stroma"
    case necrosisDebris = "tissue-necrosis-debris"
    case mucin = "tissue-mucin"
    case lymphoidAggregate = "tissue-lymphoid-aggregate"
    case blood = "tissue-blood"
    case background = "tissue-background"

    /// The atlas entry id.
    public var id: String { rawValue }

    public var organ: String {
        switch self {
        case .breastNormal, .breastUDH, .breastADH, .breastDCIS, .breastIDC, .breastILC, .breastFibroadenoma,
            .breastLCIS:
            "breast"
        case .colonNormal, .colonHyperplasticPolyp, .colonTubularAdenoma, .colonAdenocarcinoma,
            .colonMucinousAdenocarcinoma, .colonSessileSerratedLesion:
            "colon"
        case .lymphNodeReactive, .lymphNodeMetastaticCarcinoma: "lymph node"
        case .adipose, .smoothMuscle, .fibrousStroma, .necrosisDebris, .mucin, .lymphoidAggregate, .blood,
            .background:
            "tissue"
        }
    }

    public var diagnosis: String {
        switch self {
        case .breastNormal: "Normal breast tissue"
        case .breastUDH: "Usual ductal hyperplasia"
        case .breastADH: "Atypical ductal hyperplasia"
        case .breastDCIS: "Ductal carcinoma in situ"
        case .breastIDC: "Invasive ductal carcinoma"
        case .breastILC: "Invasive lobular carcinoma"
        case .breastFibroadenoma: "Fibroadenoma"
        case .breastLCIS: "Lobular carcinoma in situ"
        case .colonNormal: "Normal colonic mucosa"
        case .colonHyperplasticPolyp: "Hyperplastic polyp"
        case .colonTubularAdenoma: "Tubular adenoma"
        case .colonAdenocarcinoma: "Adenocarcinoma"
        case .colonMucinousAdenocarcinoma: "Mucinous adenocarcinoma"
        case .colonSessileSerratedLesion: "Sessile serrated lesion"
        case .lymphNodeReactive: "Reactive lymph node"
        case .lymphNodeMetastaticCarcinoma: "Metastatic carcinoma in lymph node"
        case .adipose: "Adipose tissue"
        case .smoothMuscle: "Smooth muscle"
        case .fibrousStroma: "Fibrous stroma"
        case .necrosisDebris: "Necrosis and debris"
        case .mucin: "Mucin"
        case .lymphoidAggregate: "Lymphoid aggregate"
        case .blood: "Blood"
        case .background: "Background (no tissue)"
        }
    }

    /// A short title, as an atlas entry would have.
    public var title: String {
        switch self {
        case .breastUDH, .breastADH, .breastDCIS, .breastIDC, .breastILC, .breastFibroadenoma, .breastLCIS,
            .colonHyperplasticPolyp, .colonTubularAdenoma, .colonAdenocarcinoma, .colonMucinousAdenocarcinoma,
            .colonSessileSerratedLesion:
            "\(diagnosis) (\(organ))"
        default: diagnosis
        }
    }

    /// What the illustration shows, in one sentence a pathologist would recognise.
    public var features: String {
        switch self {
        case .breastNormal:
            "A lobule of small round acini lined by luminal cells and an outer myoepithelial layer, in loose intralobular stroma surrounded by dense collagen."
        case .breastUDH:
            "A duct filled by a heterogeneous, streaming population of overlapping cells with irregular slit-like peripheral lumens."
        case .breastADH:
            "A small duct partly filled by monotonous evenly spaced cells forming rigid arches around round punched-out spaces."
        case .breastDCIS:
            "Expanded ducts filled by a solid monotonous population of atypical cells with central comedo necrosis and a retained myoepithelial rim."
        case .breastIDC:
            "Irregular nests, cords and angulated tubules of pleomorphic cells infiltrating desmoplastic stroma without a myoepithelial layer."
        case .breastILC:
            "Small discohesive cells infiltrating dense stroma in single files and around a duct in a targetoid pattern."
        case .breastFibroadenoma:
            "Abundant loose stroma compressing ducts into curved slit-like channels lined by two cell layers."
        case .breastLCIS:
            "Lobular acini distended and filled by small, uniform, discohesive round cells without lumens."
        case .colonNormal:
            "Regular round crypts of columnar cells with basal nuclei and many goblet cells, set in lamina propria with scattered inflammatory cells."
        case .colonHyperplasticPolyp:
            "Evenly spaced crypts with star-shaped serrated lumens, small basal nuclei and eosinophilic cytoplasm."
        case .colonTubularAdenoma:
            "Crowded tubules lined by elongated, pencil-shaped, hyperchromatic pseudostratified nuclei with few goblet cells."
        case .colonAdenocarcinoma:
            "Irregular, back-to-back and cribriform glands of large pleomorphic cells with dirty luminal necrosis in desmoplastic stroma."
        case .colonMucinousAdenocarcinoma:
            "Pools of extracellular mucin occupying most of the field with floating strips and clusters of malignant epithelium."
        case .colonSessileSerratedLesion:
            "Dilated, irregular crypts with serrated lumens and horizontally spreading, boot-shaped bases."
        case .lymphNodeReactive:
            "Sheets of small dark round lymphocytes around a paler germinal centre of larger cells with tingible-body macrophages, and an open sinus."
        case .lymphNodeMetastaticCarcinoma:
            "Cohesive clusters of large pleomorphic epithelial cells with abundant cytoplasm among the small lymphocytes of a node."
        case .adipose:
            "Large empty polygonal fat vacuoles separated by thin membranes with few flattened nuclei."
        case .smoothMuscle:
            "Pink fascicles of smooth muscle with elongated, blunt-ended cigar-shaped nuclei."
        case .fibrousStroma:
            "Dense wavy bundles of pink collagen with sparse thin spindle nuclei."
        case .necrosisDebris:
            "Pink granular necrotic material with karyorrhectic nuclear dust and ghost cells."
        case .mucin:
            "Pale blue-grey wispy pools of mucin with a few floating cells."
        case .lymphoidAggregate:
            "A dense nodular aggregate of small dark round lymphocytes in stroma."
        case .blood:
            "Densely packed red erythrocyte discs with occasional white cells."
        case .background:
            "Empty glass with no tissue."
        }
    }
}
