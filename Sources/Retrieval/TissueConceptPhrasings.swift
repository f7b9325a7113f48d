/// The tissue concepts TissueConcepts recognises: each one's technical English terms (what atlas passages say)
/// and many ways people describe or ask about it — patients, students, nurses, residents; appearance on H&E,
/// texture, colour, place, function — in English and Chinese. Written from domain knowledge, not from any
/// evaluation question; more phrasings widen what is recognised, none is matched word for word.
enum TissueConceptPhrasings {
    static let table: [(name: String, terms: String, english: [String], chinese: [String])] = [
        (
            "adipose", "adipose tissue adipocytes fat lipid vacuoles",
            [
                "fat tissue", "body fat under the microscope", "fat cells", "the fatty layer around the bowel",
                "tissue that stores energy as fat", "where the body keeps its reserve of calories",
                "large empty round cells like soap bubbles", "a net of thin membranes around clear spaces",
                "chicken-wire pattern of big clear cells", "cells whose oil was washed out during processing",
                "soft yellow padding tissue", "the cushioning tissue outside the gut wall", "honeycomb of pale empty cells",
                "grease stored in the body", "mesenteric and pericolic fat", "the cells that make people overweight",
                "fat that insulates and cushions organs", "clear polygonal cells with the nucleus squashed to the side",
                "lipid storage tissue", "adipose tissue", "what does fatty tissue look like on a slide",
            ],
            [
                "脂肪组织", "脂肪细胞", "肥肉一样的组织", "储存能量的组织", "储存热量和油脂的细胞",
                "肠子外面的脂肪层", "一个个大的空泡样细胞", "像蜂窝一样的透明大细胞", "像肥皂泡一样的空圆圈",
                "细胞核被挤到边上的透明细胞", "制片时油被洗掉后留下的空腔", "软软的黄色垫子一样的组织",
                "包在器官外面起缓冲作用的组织", "让人发胖的细胞", "肠系膜和结肠周围的脂肪", "体内的油脂储存在哪里",
                "网状的薄膜围成的空白格子", "镜下的肥油组织是什么样", "皮下脂肪", "脂类储存组织",
            ]
        ),
        (
            "background", "background no tissue empty glass",
            [
                "an empty part of the slide", "blank area with no cells", "just white space on the image",
                "the glass with nothing on it", "a field where there is no specimen", "areas outside the tissue section",
                "bright white empty region of the scan", "nothing to see, only the bare slide",
                "a patch of the picture without any tissue", "the edge of the slide beyond the sample",
                "empty background of the whole-slide image", "a tile that contains no tissue at all",
                "white space around the section", "what is the blank white part of the picture",
                "regions with no diagnostic content", "an area where only the mounting medium and glass show",
                "the clear space between pieces of tissue", "a pale grey empty field", "no sample in this area",
            ],
            [
                "空白区域", "没有组织的地方", "玻片上什么都没有", "图片上一片白色", "没有样本的背景",
                "标本以外的区域", "只有玻璃的地方", "空的视野", "白色的空白背景", "切片周围的空白",
                "没有细胞也没有结构的区域", "扫描图像中没有组织的部分", "什么也看不到的白色区域",
                "组织之间的空隙", "玻片的边缘没有样本", "没有诊断意义的空白", "淡灰色的空白视野", "这里没有任何组织",
            ]
        ),
        (
            "debris", "necrosis necrotic debris karyorrhexis",
            [
                "dead cells", "the remains of dead tissue", "dead tumour tissue", "cell death in the tumour",
                "broken-down cells and rubbish", "fragments of nuclei scattered like dust", "ghost outlines of dead cells",
                "pink amorphous material where cells have died", "dirty necrosis inside cancer glands",
                "leftover junk when tumour cells die", "crumbled remnants of destroyed cells", "tissue that has died off",
                "rotting tissue in the middle of a tumour", "shattered nuclear fragments and pus cells",
                "cell corpses and granular mush", "necrotic debris", "dying tissue with no intact cells",
                "what is left after cells are killed", "cell breakdown products", "tissue decay",
            ],
            [
                "坏死", "坏死碎屑", "死掉的细胞", "死细胞的残骸", "细胞死亡后留下的东西", "肿瘤中间死掉的组织",
                "核碎裂成小颗粒", "只剩轮廓的影细胞", "粉红色无结构的物质", "癌腺腔里的脏坏死", "破碎的细胞残渣",
                "烂掉的组织", "组织坏死后的碎片", "死亡细胞的碎屑和中性粒细胞", "糊状的死组织", "细胞被破坏后的垃圾",
                "没有完整细胞的坏死区", "细胞核碎成尘埃一样", "腐烂的组织",
            ]
        ),
        (
            "lymphocytes", "lymphocytes lymphoid aggregates inflammatory cells",
            [
                "immune cells", "white blood cells", "defence cells of the body", "cells that fight infection",
                "a crowd of small dark round cells", "tiny round cells with dark nuclei and almost no cytoplasm",
                "inflammation cells gathered together", "a cluster of immune cells around the tumour",
                "small blue dots packed densely", "lymph cells", "the body's soldiers attacking the cancer",
                "lymphoid follicles", "tumour-infiltrating immune cells", "dense sheets of little round blue cells",
                "an immune reaction in the bowel wall", "white cells fighting disease", "lymphocytes",
                "an inflammatory infiltrate", "cells of the immune system",
            ],
            [
                "免疫细胞", "淋巴细胞", "白细胞", "身体的防御细胞", "对抗感染的细胞", "一群小而深染的圆形细胞",
                "炎症细胞聚集", "肿瘤周围的免疫细胞", "密密麻麻的小蓝点", "几乎没有胞质的小圆细胞",
                "攻击癌细胞的免疫细胞", "淋巴滤泡", "肿瘤浸润淋巴细胞", "一大片小圆形的深蓝细胞", "肠壁里的免疫反应",
                "炎性浸润", "抵抗疾病的白细胞", "免疫系统的细胞聚在一起",
            ]
        ),
        (
            "mucus", "mucus mucin mucinous",
            [
                "slime", "slimy secretion", "jelly-like material", "gooey substance made by the gut",
                "the lubricating fluid of the intestine", "pale blue wispy material with no cells",
                "pools of mucus", "lakes of mucin", "snot-like stuff in the bowel", "a gelatinous tumour",
                "tumour cells floating in jelly", "the slippery coating of the bowel lining", "mucin",
                "watery bluish goo outside the cells", "a cancer that produces lots of mucus", "mucinous carcinoma",
                "sticky secretion from the glands", "gel produced by goblet cells", "mucus",
            ],
            [
                "黏液", "粘液", "黏液湖", "滑溜溜的分泌物", "胶冻样物质", "像鼻涕一样的东西", "肠道的润滑液",
                "淡蓝色没有细胞的物质", "一片片的黏液池", "肿瘤细胞漂浮在胶冻里", "会产生大量黏液的癌",
                "黏液腺癌", "黏糊糊的分泌物", "杯状细胞分泌的胶状物", "腺体分泌的黏稠液体", "果冻样的物质",
                "细胞外的黏蛋白", "肠壁表面滑滑的一层",
            ]
        ),
        (
            "smooth-muscle", "smooth muscle muscularis propria fascicles",
            [
                "muscle", "the muscle layer of the bowel wall", "the muscular coat of the intestine",
                "tissue that contracts to move food along", "the layer that squeezes the gut", "peristalsis",
                "long spindle-shaped cells in bundles", "cigar-shaped nuclei in pink elongated cells",
                "bundles of pink fibres running in parallel", "the thick wall that pushes contents forward",
                "involuntary muscle", "muscularis propria", "smooth muscle fascicles",
                "the motor layer of the colon", "pink streaming cells in the deep wall",
                "cells that tighten and relax", "muscle fibres cut along and across",
            ],
            [
                "平滑肌", "肌肉", "肠壁的肌层", "肠道的肌肉层", "让肠子收缩蠕动的组织",
                "长梭形细胞成束排列", "雪茄样的细胞核", "粉红色平行排列的纤维束", "固有肌层", "不随意肌",
                "负责收缩的细胞", "肠壁深处粉红色的肌束", "纵行和环行的肌肉", "能收缩和舒张的组织", "肠道蠕动",
            ]
        ),
        (
            "normal-mucosa", "normal colonic mucosa crypts goblet cells",
            [
                "healthy lining of the colon", "the normal inner surface of the bowel", "normal colon tissue",
                "ordinary, disease-free gut lining", "regular test-tube shaped glands", "straight evenly spaced crypts",
                "glands full of goblet cells", "benign bowel lining without any tumour", "normal mucosa",
                "the inner layer of the intestine that absorbs water", "unaffected large bowel",
                "what colon lining looks like when nothing is wrong", "orderly crypts with small nuclei at the base",
                "the absorptive surface of the large intestine", "non-cancerous intestinal glands",
                "the inside skin of the gut", "normal colonic crypts",
            ],
            [
                "正常的结肠黏膜", "健康的肠道内壁", "正常的肠黏膜", "没有病变的大肠", "整齐的试管状腺体",
                "排列整齐的隐窝", "充满杯状细胞的腺体", "良性的肠黏膜", "吸收水分的肠道内层", "没有肿瘤的肠壁内层",
                "正常的结肠组织", "规则排列的腺管", "肠子里面的一层皮", "大肠的表面上皮", "非癌的肠腺体",
               
            ]
        ),
        (
            "stroma", "cancer-associated stroma desmoplastic fibrosis collagen fibroblasts",
            [
                "scar tissue around a cancer", "the fibrous reaction to a tumour", "connective tissue around tumour glands",
                "supporting tissue next to invading cancer", "hard gritty tissue a tumour provokes",
                "fibroblasts and collagen around the cancer", "the tumour's bed of scar-like tissue",
                "desmoplasia", "tumour stroma",
                "pink wavy fibres with plump spindle cells around the tumour", "the framework that holds cancer cells",
                "fibrosis caused by invasion", "the body's scarring response to a malignancy",
                "loose or dense collagen between cancer glands", "stroma",
            ],
            [
                "癌旁的纤维组织", "肿瘤周围的瘢痕样组织", "肿瘤间质", "促纤维增生反应", "癌细胞周围的结缔组织",
                "肿瘤引起的纤维化", "支撑癌细胞的组织", "成纤维细胞和胶原",
                "癌组织之间粉红色的纤维", "肿瘤激发的反应性间质", "像疤一样的组织包着肿瘤", "癌巢之间的间质",
                "浸润癌周围的纤维反应", "间质",
            ]
        ),
        (
            "tumour", "adenocarcinoma malignant epithelium glands carcinoma",
            [
                "colon cancer", "bowel cancer", "rectal cancer", "cancer cells", "malignant glands",
                "the tumour itself", "irregular crowded glands with large dark nuclei", "cancerous gland cells",
                "what do the cancer cells look like", "malignant tumour of the large intestine",
                "abnormal glands growing out of control", "tall cells with stacked elongated nuclei",
                "back-to-back and cribriform glands", "adenocarcinoma",
                "a malignant growth that forms glands", "colorectal carcinoma", "invasive cancer epithelium",
                "tumour cells with many dividing figures",
            ],
            [
                "结肠癌", "大肠癌", "直肠癌", "肠癌", "癌细胞", "恶性腺体", "腺癌", "肿瘤细胞长什么样",
                "不规则拥挤的腺体", "细胞核又大又深的异型腺体", "恶性肿瘤的上皮", "失控生长的异常腺体",
                "筛状和背靠背的腺管", "结直肠腺癌", "浸润性癌", "恶性病变的细胞",
            ]
        ),
    ]
}
