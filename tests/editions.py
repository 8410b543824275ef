"""A made-up news story in English and its two human editions (中文, Français), written
for these tests, with beads known by construction:

* 中文: English sentence 2 is split in two (1-2); the quotation's two sentences are one
  Chinese sentence (2-1); sentence 6 (the 154 steps) is left out (1-0);
* Français: sentence 5 (the brass lens) is split in two (1-2), the rest is 1-1.

And a Chinese story about something else, to stand for the wrong file.
"""

ENGLISH = """\
Global EditionASIA 中文双语Français
Home / World

Harbour town reopens its old lighthouse as a museum

By ANNA BELL | Coastal Post | Updated: 2026-03-04 09:15
Share

The lighthouse at Port Ellery opened its doors to visitors on Saturday, 12 years after its lamp went dark. More than 3,000 people queued along the seafront on the first day.

The town council spent 4.5 million euros on the restoration, which took three years. "We wanted the building to tell the story of the harbour," said Mayor Claire Dubois. "Every room shows a different century."

The museum holds maps, ship logs and the original brass lens, made in Paris in 1887. Children can climb the 154 steps to the gallery at the top. Admission is free for residents until the end of the year.

The café on the ground floor serves fish soup from a recipe kept by the family of the last keeper.
Copyright 2026 Coastal Post
"""

CHINESE = """\
Global EditionASIA 中文双语Français
首页 / 国际

海港小镇将旧灯塔改建为博物馆重新开放

作者：安娜·贝尔 | 海岸邮报 | 更新时间：2026-03-04 09:15
分享

埃勒里港的灯塔于周六向游客开放，距其灯光熄灭已有12年。开放首日，3000多人沿海滨排队参观。

镇议会为修复工程花费了450万欧元。修复工程历时三年。市长克莱尔·杜布瓦说：“我们希望这座建筑讲述港口的故事，每个房间都展示着一个不同的世纪。”

博物馆收藏有地图、航海日志以及1887年在巴黎制造的原装黄铜透镜。今年年底前，本地居民可免费参观。

一楼的咖啡馆供应鱼汤，其配方由最后一任灯塔看守人的家人保存。
版权所有 2026 海岸邮报
"""

FRENCH = """\
Global EditionASIA 中文双语Français
Accueil / Monde

Une ville portuaire rouvre son vieux phare et en fait un musée

Par ANNA BELL | Coastal Post | Mis à jour : 2026-03-04 09:15
Partager

Le phare de Port Ellery a ouvert ses portes aux visiteurs samedi, 12 ans après l'extinction de sa lampe. Plus de 3 000 personnes ont fait la queue le long du front de mer le premier jour.

Le conseil municipal a consacré 4,5 millions d'euros à la restauration, qui a duré trois ans. « Nous voulions que le bâtiment raconte l'histoire du port », a déclaré la maire Claire Dubois. « Chaque salle montre un siècle différent. »

Le musée expose des cartes, des journaux de bord et la lentille en laiton d'origine. Elle a été fabriquée à Paris en 1887. Les enfants peuvent gravir les 154 marches jusqu'à la galerie au sommet. L'entrée est gratuite pour les habitants jusqu'à la fin de l'année.

Le café du rez-de-chaussée sert une soupe de poisson selon une recette conservée par la famille du dernier gardien.
Copyright 2026 Coastal Post
"""

OTHER_CHINESE = """\
城市马拉松吸引两万名跑者参赛

周日清晨，两万名跑者从市中心广场出发，参加一年一度的城市马拉松。今年的赛道首次经过新建的跨江大桥。一名来自肯尼亚的选手以2小时08分的成绩夺冠。组委会表示，沿途共设置了二十个补给站。许多市民自发在路边为选手加油。赛事期间，部分公交线路临时调整。
"""

# (English sentences, edition sentences) of each body bead, in order.
CHINESE_BEADS = [
    ([0], [0]), ([1], [1]), ([2], [2, 3]), ([3, 4], [4]), ([5], [5]), ([6], []), ([7], [6]), ([8], [7]),
]
FRENCH_BEADS = [
    ([0], [0]), ([1], [1]), ([2], [2]), ([3], [3]), ([4], [4]), ([5], [5, 6]), ([6], [7]), ([7], [8]), ([8], [9]),
]
